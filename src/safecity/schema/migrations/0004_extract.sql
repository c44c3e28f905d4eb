-- Force record-level extracts: crimes, victims and offenders (docs/data-model.md).
-- Person identifiers are stored only as keyed pseudonyms (HMAC-SHA256); the key is never here.

CREATE TABLE extract_crime (
    file_id                    BIGINT NOT NULL,
    source                     VARCHAR NOT NULL,   -- the mapping's name (the force system)
    crime_reference            VARCHAR NOT NULL,
    offence_code               VARCHAR NOT NULL,   -- Home Office short form, e.g. '8N', '28E', '8/1'
    offence_description        VARCHAR,
    committed_from             TIMESTAMP NOT NULL,
    committed_to               TIMESTAMP,
    recorded_date              DATE,
    longitude                  DOUBLE,
    latitude                   DOUBLE,
    easting                    DOUBLE,
    northing                   DOUBLE,
    lsoa_code                  VARCHAR,
    outcome                    VARCHAR,
    flag_domestic              BOOLEAN,            -- NULL: the extract does not carry this flag
    flag_alcohol               BOOLEAN,
    flag_drugs                 BOOLEAN,
    flag_hate_race             BOOLEAN,
    flag_hate_religion         BOOLEAN,
    flag_hate_sexual_orientation BOOLEAN,
    flag_hate_disability       BOOLEAN,
    flag_hate_transgender      BOOLEAN,
    flag_weapon_bladed         BOOLEAN,
    flag_weapon_firearm        BOOLEAN,
    flag_public_place          BOOLEAN,
    flag_night_time_economy    BOOLEAN,
    has_location               BOOLEAN NOT NULL
);

CREATE TABLE extract_victim (
    file_id            BIGINT NOT NULL,
    source             VARCHAR NOT NULL,
    crime_reference    VARCHAR NOT NULL,
    victim_pseudonym   VARCHAR NOT NULL,   -- HMAC-SHA256(key, victim_id), hex
    age                INTEGER,
    sex                VARCHAR,            -- F, M or U
    ethnicity          VARCHAR,            -- ONS 5+1 group
    victim_type        VARCHAR             -- person or organisation
);

CREATE TABLE extract_offender (
    file_id             BIGINT NOT NULL,
    source              VARCHAR NOT NULL,
    crime_reference     VARCHAR NOT NULL,
    offender_pseudonym  VARCHAR NOT NULL,  -- HMAC-SHA256(key, offender_id), hex
    age                 INTEGER,
    sex                 VARCHAR,
    ethnicity           VARCHAR
);

-- A check value of the pseudonymisation key (HMAC of a fixed text), never the key itself: a
-- later load with another key would make the same person two pseudonyms, so it is refused.
CREATE TABLE pseudonym_key_check (
    check_value  VARCHAR NOT NULL,
    first_used   TIMESTAMP NOT NULL DEFAULT current_timestamp
);
