"""The loader: curated sources -> the named graphs of the dataset, in memory, then validated.

yamlfile   YAML with the line of every key and item (errors say file:line)
vocab      the ontology indexed: each gc: term's kind, range, super-terms, individuals
nodes      one YAML mapping -> triples: key k -> gc:k, ids resolved, literals cast
spans      quotes -> code-point offsets, sentences, NIF + Web Annotation span nodes
entities   data/entities.yaml -> the entities graph
reference  data/reference/facts.yaml -> one graph per reference fact, with its sources
articles   an article directory -> its document graph and load activity
claims     claims.yaml -> proposition graphs and the claims graph
materialise  standard super-classes/properties beside the project's terms
compile    all of the above -> `Compiled` (nothing written)
validate   spans, ids, graph typing, denials, SHACL
"""
