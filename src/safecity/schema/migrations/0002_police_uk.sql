-- data.police.uk files: street-level crime and ASB, outcomes, stop and search.
-- Coordinates are kept as given (WGS84) and as British National Grid metres (EPSG:27700).

CREATE TABLE police_uk_street (
    file_id                BIGINT NOT NULL,    -- load_file.file_id
    record_number          BIGINT NOT NULL,    -- ordinal of the data row in its file (1 = first)
    force                  VARCHAR NOT NULL,   -- police.uk force slug, e.g. 'hampshire'
    month                  DATE NOT NULL,      -- first day of the month
    crime_id               VARCHAR,            -- NULL for ASB
    reported_by            VARCHAR,
    falls_within           VARCHAR,
    longitude              DOUBLE,
    latitude               DOUBLE,
    easting                DOUBLE,
    northing               DOUBLE,
    location               VARCHAR,
    lsoa_code              VARCHAR,            -- as given: 2011 LSOAs until 2023, 2021 LSOAs after
    lsoa_name              VARCHAR,
    crime_type             VARCHAR NOT NULL,
    last_outcome_category  VARCHAR,
    context                VARCHAR,
    is_asb                 BOOLEAN NOT NULL,
    has_location           BOOLEAN NOT NULL,   -- data-quality flag: FALSE = no coordinates
    repeated_crime_id      BOOLEAN NOT NULL    -- data-quality flag: Crime ID occurs more than once in the file
);

CREATE TABLE police_uk_outcome (
    file_id                BIGINT NOT NULL,
    record_number          BIGINT NOT NULL,
    force                  VARCHAR NOT NULL,
    month                  DATE NOT NULL,
    crime_id               VARCHAR,
    reported_by            VARCHAR,
    falls_within           VARCHAR,
    longitude              DOUBLE,
    latitude               DOUBLE,
    easting                DOUBLE,
    northing               DOUBLE,
    location               VARCHAR,
    lsoa_code              VARCHAR,
    lsoa_name              VARCHAR,
    outcome_type           VARCHAR,
    has_location           BOOLEAN NOT NULL
);

CREATE TABLE police_uk_stop_search (
    file_id                    BIGINT NOT NULL,
    record_number              BIGINT NOT NULL,
    force                      VARCHAR NOT NULL,
    month                      DATE NOT NULL,      -- the month of the file
    search_type                VARCHAR,
    searched_at                TIMESTAMPTZ,
    part_of_policing_operation VARCHAR,
    policing_operation         VARCHAR,
    longitude                  DOUBLE,
    latitude                   DOUBLE,
    easting                    DOUBLE,
    northing                   DOUBLE,
    gender                     VARCHAR,
    age_range                  VARCHAR,
    self_defined_ethnicity     VARCHAR,
    officer_defined_ethnicity  VARCHAR,
    legislation                VARCHAR,
    object_of_search           VARCHAR,
    outcome                    VARCHAR,
    outcome_linked_to_object   VARCHAR,
    removal_of_outer_clothing  VARCHAR,
    has_location               BOOLEAN NOT NULL
);
