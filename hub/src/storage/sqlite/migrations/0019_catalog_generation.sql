-- A number that changes whenever any group's catalog may have: every offer made or ended,
-- by any hub process (an instance, an operator's command). A hub keeps each group's catalog
-- answer with the number it was built at, and builds it again only when the number moved.
CREATE TABLE catalog_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO catalog_generation (id, generation) VALUES (1, 0);
CREATE TRIGGER offer_made AFTER INSERT ON offers
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER offer_ended AFTER DELETE ON offers
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
