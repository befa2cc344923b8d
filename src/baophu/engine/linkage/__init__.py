"""Record linkage of school rosters and household lists to the register (exact ID, then
Splink).

Entry point: ``run_linkage(store)`` (the ``linkage`` step, the ``person_links`` mart);
``review_pairs`` lists the pairs a person must decide."""

from baophu.engine.linkage.review import mask_person_id, review_count, review_pairs
from baophu.engine.linkage.run import MART_LINKS, LinkageError, link_counts, run_linkage

__all__ = [
    "MART_LINKS",
    "LinkageError",
    "link_counts",
    "mask_person_id",
    "review_count",
    "review_pairs",
    "run_linkage",
]
