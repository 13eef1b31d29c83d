-- Step 8: take every credential from the hub again at the next sync. Apps before this step
-- refused a credential whose issuer carries the provider's endorsement inside it (ADR 0006:
-- a nested @context their guard did not accept) and moved their count past it; this app
-- keeps those. Credentials already kept are kept once (their id is the key), so taking the
-- others again changes nothing.
DELETE FROM settings WHERE key = 'sync.credentials_taken';
