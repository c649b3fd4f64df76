"""Fake data for demos, tests and benchmarks, and the one bulk loader that puts it in.

Making rows (pure, deterministic per seed):
- `draws`: seeded streams, weighted word lists, keyed-hash draws; `text`: transliteration, folding
- `names`: people (Russian with gender agreement, English); `companies`: brands, legal forms
- `contacts`: e-mails, phones; `inn`: taxpayer numbers with check digits
- `clients`, `products`, `orders` (and `checks`, their self-check); `legacy_shapes`: the same in
  the legacy system's shapes
- `incident_topics`, `incident_phrases`, `incident_text`: what requests say; `incidents`: the
  incident and problem rows
Loading them: `loader` (COPY in batches, in this process or in loader processes), `indexes`
(dropped for big loads, rebuilt after), `progress` (the bars). The seeds: `clients_orders`,
`legacy`, `tickets`; their commands: `cli` (`servicedesk-ops seed …`, `seed-legacy …`).
"""
