"""Example queries on the SPARQL page: real questions about the network."""

PREFIXES = """PREFIX b40: <https://w3id.org/b40/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
"""

EXAMPLES = [
    (
        "Who signed for which city, in which role?",
        PREFIXES
        + """
SELECT ?declaration ?name ?municipality ?role WHERE {
  ?d b40:hasSignature ?s ; dct:title ?declaration .
  ?s prov:agent/foaf:name ?name ; b40:onBehalfOf/rdfs:label ?municipality ; b40:signatoryRole/rdfs:label ?role .
  FILTER(lang(?municipality) = "en")
} ORDER BY ?municipality""",
    ),
    (
        "Which declarations commit to which theme, and which clause shows it?",
        PREFIXES
        + """
SELECT ?declaration ?theme ?clause ?matched ?found WHERE {
  ?d dct:title ?declaration ; b40:hasCommitment ?c .
  ?c b40:theme/skos:prefLabel ?theme ; b40:statedIn/schema:position ?clause ; b40:matchedLabel ?matched .
  BIND(IF(EXISTS { ?c a b40:CuratedCommitment }, "by hand", "by the tagger") AS ?found)
  FILTER(lang(?theme) = "en")
} ORDER BY ?declaration ?theme ?clause""",
    ),
    (
        "Members of the network by country",
        PREFIXES
        + """
SELECT ?country (COUNT(?m) AS ?members) (GROUP_CONCAT(?name; separator=", ") AS ?municipalities) WHERE {
  ?m org:memberOf ?network ; rdfs:label ?name ; b40:country/rdfs:label ?country .
  FILTER(lang(?name) = "en" && lang(?country) = "en")
} GROUP BY ?country ORDER BY DESC(?members) ?country""",
    ),
    (
        "Founding members and the date they joined",
        PREFIXES
        + """
PREFIX time: <http://www.w3.org/2006/time#>
SELECT ?municipality ?since WHERE {
  ?ms org:member ?m ; org:role/rdfs:label "Founding member"@en ;
      org:memberDuring/time:hasBeginning/time:inXSDDate ?since .
  ?m rdfs:label ?municipality . FILTER(lang(?municipality) = "en")
} ORDER BY ?municipality""",
    ),
]
