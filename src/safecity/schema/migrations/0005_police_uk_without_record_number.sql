-- police.uk rows no longer carry their position in the file: numbering rows made DuckDB read
-- the files one thread at a time. Quarantined rows still say which data row they were.
ALTER TABLE police_uk_street DROP COLUMN record_number;
ALTER TABLE police_uk_outcome DROP COLUMN record_number;
ALTER TABLE police_uk_stop_search DROP COLUMN record_number;
