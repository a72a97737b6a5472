"""Press releases: templates rendered from approved, suppressed figures in five languages.

The pure core: `rendering` (sandbox -> Markdown -> nh3, text), `context` (what a template may
name), `suppression` (small counts), `handtyped` (warnings), `i18n` (per-language formats),
`defaults` (the default templates). The workflow, models, API and pages build on these.
"""
