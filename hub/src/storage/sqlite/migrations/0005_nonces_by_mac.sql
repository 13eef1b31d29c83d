-- Nonces are checked by their MAC (hub/src/nonce.rs); SQLite keeps the used ones and the
-- secret in memory (sqlite/nonces.rs) and pack bytes stay one blob, read and written in
-- pieces. Nothing changes in the schema: this step keeps both engines' steps in step.
SELECT 1;
