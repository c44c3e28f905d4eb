-- Every file the loaders have seen, whatever became of it, and every quarantined row.
CREATE SEQUENCE load_file_id_sequence START 1;

CREATE TABLE load_file (
    file_id        BIGINT PRIMARY KEY,
    path           VARCHAR NOT NULL,      -- as given to the loader (archive member after '!')
    sha256         VARCHAR NOT NULL,      -- of the bytes as read (before decompression)
    format         VARCHAR NOT NULL,      -- a safecity.data.formats.FileFormat value
    dataset_key    VARCHAR,               -- what the file replaces when re-published, e.g. 'street/hampshire/2017-04'
    status         VARCHAR NOT NULL,      -- loaded | replaced | unchanged | rejected | skipped
    rows_in        BIGINT NOT NULL,
    loaded         BIGINT NOT NULL,
    quarantined    BIGINT NOT NULL,
    reasons        JSON NOT NULL,         -- reason -> count
    message        VARCHAR,               -- why rejected/skipped/replaced, in words
    superseded_by  BIGINT,                -- file_id of the load that replaced this one
    loaded_at      TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE quarantine (
    file_id      BIGINT NOT NULL,
    line_number  BIGINT,                  -- 1-based line in the file, header is line 1
    reason       VARCHAR NOT NULL,        -- a safecity.data.quality.QuarantineReason value
    detail       VARCHAR,                 -- what exactly was wrong, in words
    raw_record   VARCHAR                  -- the row as read, for inspection and repair
);
