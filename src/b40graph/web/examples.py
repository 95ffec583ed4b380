"""Example queries on the SPARQL page: real questions about the network. Each one is run by the tests on the
seed project and must answer with at least one row. The ones answering with (label, count) pairs are drawn
as a bar chart on the results page, the ones with a latitude and a longitude column as a map."""

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
    (
        "How many members does each country have? (a bar chart)",
        PREFIXES
        + """
SELECT ?country (COUNT(DISTINCT ?m) AS ?members) WHERE {
  ?m a b40:Municipality ; org:memberOf ?network ; b40:country/rdfs:label ?country .
  FILTER(lang(?country) = "en")
} GROUP BY ?country ORDER BY DESC(?members) ?country""",
    ),
    (
        "How many signatories held each role? (a bar chart)",
        PREFIXES
        + """
SELECT ?role (COUNT(?s) AS ?signatories) WHERE {
  ?s a b40:Signature ; b40:signatoryRole/rdfs:label ?role .
} GROUP BY ?role ORDER BY DESC(?signatories) ?role""",
    ),
    (
        "How many themes does each declaration commit to? (a bar chart)",
        PREFIXES
        + """
SELECT ?declaration (COUNT(DISTINCT ?theme) AS ?themes) WHERE {
  ?d a b40:Declaration ; dct:title ?declaration ; b40:commitsTo ?theme .
} GROUP BY ?declaration ORDER BY DESC(?themes)""",
    ),
    (
        "Which themes are committed to in every declaration?",
        PREFIXES
        + """
SELECT ?theme WHERE {
  ?t a skos:Concept ; skos:prefLabel ?theme .
  FILTER(lang(?theme) = "en")
  FILTER EXISTS { ?any a b40:Declaration }
  FILTER NOT EXISTS { ?d a b40:Declaration . FILTER NOT EXISTS { ?d b40:commitsTo ?t } }
} ORDER BY ?theme""",
    ),
    (
        "Which clauses commit to the rule of law, and what do they say?",
        PREFIXES
        + """
SELECT ?declaration ?clause ?text WHERE {
  ?c b40:theme ?t ; b40:statedIn ?k ; b40:commitmentOf/dct:title ?declaration .
  ?t skos:prefLabel "Rule of law"@en .
  ?k schema:position ?clause ; schema:text ?text .
} ORDER BY ?declaration ?clause""",
    ),
    (
        "When and where was each declaration adopted, at which event?",
        PREFIXES
        + """
SELECT ?declaration ?adopted ?event ?place WHERE {
  ?d a b40:Declaration ; dct:title ?declaration ; dct:issued ?adopted .
  OPTIONAL { ?d b40:adoptedAt/rdfs:label ?event }
  OPTIONAL { ?d schema:locationCreated/rdfs:label ?place . FILTER(lang(?place) = "en") }
} ORDER BY ?adopted""",
    ),
    (
        "Members' names in their own language",
        PREFIXES
        + """
SELECT ?municipality ?local ?language WHERE {
  ?m a b40:Municipality ; org:memberOf ?network ; rdfs:label ?municipality, ?local .
  FILTER(lang(?municipality) = "en" && lang(?local) != "en")
  BIND(lang(?local) AS ?language)
} ORDER BY ?language ?municipality""",
    ),
    (
        "Members that have not signed the most recent declaration",
        PREFIXES
        + """
SELECT ?municipality ?joined WHERE {
  { SELECT ?latest WHERE { ?latest a b40:Declaration ; dct:issued ?date } ORDER BY DESC(?date) LIMIT 1 }
  ?ms org:member ?m ; b40:memberSince ?joined .
  ?m rdfs:label ?municipality . FILTER(lang(?municipality) = "en")
  FILTER NOT EXISTS { ?s b40:signatureOf ?latest ; b40:onBehalfOf ?m }
} ORDER BY ?municipality""",
    ),
    (
        "Members by the year they joined (a bar chart)",
        PREFIXES
        + """
SELECT ?year (COUNT(DISTINCT ?m) AS ?joined) WHERE {
  ?ms org:member ?m ; b40:memberSince ?since .
  BIND(STR(YEAR(?since)) AS ?year)
} GROUP BY ?year ORDER BY ?year""",
    ),
    (
        "Where are the members? (a map)",
        PREFIXES
        + """PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
SELECT DISTINCT ?municipality ?name ?lat ?long WHERE {
  ?ms a org:Membership ; org:member ?municipality .
  FILTER NOT EXISTS { ?ms b40:memberUntil ?left }
  ?municipality rdfs:label ?name ; dct:spatial ?place .
  FILTER(lang(?name) = "en")
  # the point of the place, or of the city within it (a metropolitan municipality governs a province)
  { ?place geo:lat ?lat ; geo:long ?long }
  UNION { ?city schema:containedInPlace ?place ; geo:lat ?lat ; geo:long ?long }
} ORDER BY ?name""",
    ),
]
