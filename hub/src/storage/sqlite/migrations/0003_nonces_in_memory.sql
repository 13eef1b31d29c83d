-- Nonces live in the hub's memory on SQLite (a single hub process): they only have to
-- outlive one request, and writing them cost two synchronous commits per signed request.
DROP TABLE nonces;
