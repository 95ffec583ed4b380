"""Stage 6, SPARQL: query guard, results and their formats, killable query workers."""
