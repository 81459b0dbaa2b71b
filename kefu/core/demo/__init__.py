"""Demo data (`kefu demo`) and bulk seeding for benchmarks (`kefu seed`).

`data` holds the bilingual word lists and configuration, `scenarios` the conversation templates.
`build.ensure_configuration()` creates the shared configuration (categories, priorities, tags, custom
fields, macros, staff and teams); `build.build_demo()` adds customers and a believable ticket history;
`bulk.seed()` writes many tickets fast (COPY on PostgreSQL, executemany elsewhere).
"""
