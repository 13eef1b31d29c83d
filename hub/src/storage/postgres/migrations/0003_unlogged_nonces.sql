-- Nonces are shared by every hub instance but only have to outlive one request: an unlogged
-- table skips the write-ahead log (a crash empties it, and devices fetch new nonces).
ALTER TABLE nonces SET UNLOGGED;
