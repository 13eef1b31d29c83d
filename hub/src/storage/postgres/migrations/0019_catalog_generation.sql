-- A number that changes whenever any group's catalog may have: every offer made or ended,
-- by any hub process (an instance, an operator's command). A hub keeps each group's catalog
-- answer with the number it was built at, and builds it again only when the number moved.
CREATE TABLE catalog_generation (
    id integer PRIMARY KEY CHECK (id = 1),
    generation bigint NOT NULL
);
INSERT INTO catalog_generation (id, generation) VALUES (1, 0);
CREATE FUNCTION next_catalog_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER offers_changed AFTER INSERT OR DELETE ON offers
    FOR EACH ROW EXECUTE FUNCTION next_catalog_generation();
