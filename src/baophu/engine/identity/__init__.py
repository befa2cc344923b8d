"""Identity: enrolments and list rows linked to the population register (personal ID, social
insurance code), person keys and the reasons a row stays unlinked."""
