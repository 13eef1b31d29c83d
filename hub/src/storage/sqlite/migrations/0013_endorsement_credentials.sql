-- The provider's endorsement of its issuer key as an Open Badges 3.0 EndorsementCredential
-- (ADR 0006), signed on the trainer's own computer and embedded in every credential issued
-- after it is given. `endorsement` keeps the own-format endorsement of earlier hubs for the
-- devices of older apps; it holds the JSON `null` for an issuer set up without the trainer's
-- secret key, which has none. An issuer issues once it holds either.
ALTER TABLE issuers ADD COLUMN endorsement_credential TEXT;
