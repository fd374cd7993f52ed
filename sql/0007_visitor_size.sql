-- 0007: a visitor registration at its field limits (purpose, host, address in any script) fits.
ALTER TABLE scans MODIFY visitor_enc VARBINARY(2200) NULL;
