"""What the linked-data pages read from the graph, as records: a library with no Flask in it.

Every function takes `store`, any `kg.store.Store` (only its `query(sparql, union=True,
substitutions=...)` is used): an `EmbeddedStore` or remote store directly, or the web app's
`state().store`, an `ExecutorStore` that runs each query through the executor, so pages keep the
endpoint's timeout. Parameters are bound with `substitutions`, never spliced.

- `resources`: `exists`, `load` (statements, one page of incoming ones, the graph an IRI names),
  `rdf_triples`, `term_page` (ontology terms)
- `claims`: `claims_about` (an entity's claims by claimant), `claims_in` (an article's),
  `claim_page`, `proposition_tree`
- `article`: `article_view` (the text cut into segments at span boundaries), `claims_by_iri`
- `summary`: `summary` (home-page counts and lists), `SummaryCache`, `void_triples`
- `verdicts`: the stored verdicts per article, per claim (with rules), and in short
- `labels`: the best name of each IRI; `terms`: `Term`, `term`, `rows`, `collect_iris`
"""
