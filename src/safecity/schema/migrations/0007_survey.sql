-- Residents' surveys (issue 12): waves, respondents (pseudonymous, never public), their
-- characteristics and answers in long form, and a postcode lookup for turning a respondent's
-- postcode into LSOA and ward on load (the postcode itself is never stored with a respondent).
-- Every row names the load that wrote it; rows in = respondents loaded + quarantined.

-- One wave of one survey, as loaded through a codebook. Key: (wave).
CREATE TABLE survey_wave (
    wave                   VARCHAR NOT NULL PRIMARY KEY,  -- label given at load, e.g. '2021'
    survey                 VARCHAR NOT NULL,   -- the codebook's survey name
    title                  VARCHAR,            -- the codebook's title, for readers
    file_id                BIGINT NOT NULL,
    codebook_sha256        VARCHAR NOT NULL,
    codebook               JSON NOT NULL,      -- the codebook as loaded (measures, characteristics)
    fieldwork_start        DATE,
    fieldwork_end          DATE,
    area_code              VARCHAR,            -- GSS code of the surveyed area (NULL: national)
    area_vintage           INTEGER,
    weighting              VARCHAR NOT NULL,   -- a SurveyWeighting value: file | raked | unweighted
    weight_variable        VARCHAR,            -- the file's weight column, when used
    respondents            BIGINT NOT NULL,
    design_effect          DOUBLE,             -- Kish, of the final weights
    effective_sample_size  DOUBLE,
    weighting_detail       JSON,               -- raking: margins, iterations, converged, trimming
    loaded_at              TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- One respondent of a wave. Key: (wave, respondent_id).
CREATE TABLE survey_respondent (
    wave            VARCHAR NOT NULL,
    respondent_id   VARCHAR NOT NULL,   -- keyed pseudonym of the file's id (or of the row number)
    weight          DOUBLE NOT NULL,    -- the analysis weight (the file's, raked, or 1)
    design_weight   DOUBLE,             -- the weight before raking (NULL: none)
    stratum         VARCHAR,            -- design variables, when the codebook names them
    cluster         VARCHAR,
    lsoa_code       VARCHAR,            -- from the file's LSOA or postcode (then dropped)
    lsoa_vintage    INTEGER,
    ward_code       VARCHAR,
    ward_vintage    INTEGER,
    line_number     BIGINT,             -- row in the file (header is line 1), for repair
    file_id         BIGINT NOT NULL
);

-- A respondent characteristic used for subgroups and raking, collapsed to the codebook's
-- categories. Key: (wave, respondent_id, characteristic). No row: not known.
CREATE TABLE survey_characteristic (
    wave            VARCHAR NOT NULL,
    respondent_id   VARCHAR NOT NULL,
    characteristic  VARCHAR NOT NULL,   -- e.g. 'age_band', 'sex', 'ethnicity', 'ward'
    category        VARCHAR NOT NULL    -- the codebook's category label, e.g. '16-24'
);

-- An answer to a measure, collapsed to the codebook's categories. Key: (wave, respondent_id,
-- measure, category). A single-choice measure has one row per respondent asked (selected true);
-- a multiple-choice one has, per respondent asked, a row per option with selected true/false.
-- Not asked (routing, module subsample): no row.
CREATE TABLE survey_answer (
    wave            VARCHAR NOT NULL,
    respondent_id   VARCHAR NOT NULL,
    measure         VARCHAR NOT NULL,   -- the codebook's measure id, e.g. 'feels_safe_after_dark'
    category        VARCHAR NOT NULL,   -- the collapsed category or option, e.g. 'Very or fairly safe'
    selected        BOOLEAN NOT NULL,   -- multiple choice: was the option chosen (single: true)
    valid           BOOLEAN NOT NULL    -- false: "don't know", refused or another missing code
);

-- Free text kept for partner-only use when the codebook says so (never public).
CREATE TABLE survey_text (
    wave            VARCHAR NOT NULL,
    respondent_id   VARCHAR NOT NULL,
    question        VARCHAR NOT NULL,
    text            VARCHAR NOT NULL
);

-- Postcode -> LSOA/ward (ONS Postcode Directory or NSPL columns). Key: (postcode, lsoa_vintage).
CREATE TABLE postcode_lookup (
    postcode        VARCHAR NOT NULL,   -- normalised: upper case, one space before the inward code
    lsoa_code       VARCHAR,
    lsoa_vintage    INTEGER NOT NULL,
    ward_code       VARCHAR,
    ward_vintage    INTEGER,
    file_id         BIGINT NOT NULL
);
