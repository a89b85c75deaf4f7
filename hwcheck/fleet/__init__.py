"""The fleet audit: many nodes read from many inputs, each judged exactly as `hwcheck check`
judges it, rolled up into one fleet document (hwcheck/model/fleet.py).

    sources.expand(paths)      -> Items (a file, a tar member, a capture; later a store row)
    nodes.judge_item(item)     -> Outcome: a node row and what the rollups need of it
    pool.judge_all(items)      -> Outcomes, in parallel, with a bounded window
    rollup.build_fleet(...)    -> the fleet document: dedup, counts, rules, spread, drift

Memory grows with the node rows and aggregates, never with whole inventories: a worker
hands back the row it made, not the inventory it read.
"""
