"""The collector, `hwcheck serve`: nodes post their inventories, the server judges each with
its own profiles and waivers (the same Selection and judge_node that `check` and `fleet`
use), stores inventory, result and answer, and serves the fleet over HTTP.

Modules: submission (request body -> judged Submission), app (the Starlette routes), auth
(tokens and roles), profiles (profiles and waivers, reloaded when their files change),
metrics (Prometheus), store (SQLite and PostgreSQL, group commit).
"""
