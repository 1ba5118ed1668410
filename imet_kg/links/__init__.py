"""Links to other datasets: the generated link set, and checking links against Wikidata."""
