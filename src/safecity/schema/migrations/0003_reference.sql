-- Reference data: ONS/MHCLG area lookups, populations, deprivation, boundaries, offence
-- classification and harm weights. Areas are identified by GSS code AND vintage (the year of
-- the boundary set); every row names the load that wrote it (load_file.file_id).
-- Keys are unique per table as noted; the loader enforces them (a new file of the same kind and
-- vintage replaces the rows of the areas it covers), so there are no PRIMARY KEY constraints.

-- LSOA -> ward -> local authority district (best-fit), one row per LSOA per lookup vintage.
-- Key: (lsoa_vintage, ward_vintage, lad_vintage, lsoa_code).
CREATE TABLE area_lookup (
    lsoa_code     VARCHAR NOT NULL,   -- E01/W01 + 6 digits
    lsoa_vintage  INTEGER NOT NULL,   -- e.g. 2011
    lsoa_name     VARCHAR,
    ward_code     VARCHAR NOT NULL,   -- E05/W05 + 6 digits
    ward_name     VARCHAR,
    ward_vintage  INTEGER NOT NULL,   -- e.g. 2020
    lad_code      VARCHAR NOT NULL,   -- E06/E07/E08/E09/W06 + 6 digits
    lad_name      VARCHAR,
    lad_vintage   INTEGER NOT NULL,
    file_id       BIGINT NOT NULL
);

-- Local authority district -> Community Safety Partnership -> Police Force Area.
-- Key: (lad_vintage, csp_vintage, pfa_vintage, lad_code, csp_code): a district formed by a
-- merger may still have one CSP per former district (E06000060 Buckinghamshire: four).
CREATE TABLE csp_lookup (
    lad_code     VARCHAR NOT NULL,
    lad_name     VARCHAR,
    lad_vintage  INTEGER NOT NULL,
    csp_code     VARCHAR NOT NULL,    -- E22/W14 + 6 digits
    csp_name     VARCHAR,
    csp_vintage  INTEGER NOT NULL,
    pfa_code     VARCHAR NOT NULL,    -- E23/W15 + 6 digits
    pfa_name     VARCHAR,
    pfa_vintage  INTEGER NOT NULL,
    file_id      BIGINT NOT NULL
);

-- Population by single year of age, long form. Key: (area_level, area_vintage, year, sex,
-- area_code, age).
CREATE TABLE population (
    area_level    VARCHAR NOT NULL,   -- a safecity.data.reference.areas.AreaLevel value
    area_code     VARCHAR NOT NULL,
    area_vintage  INTEGER NOT NULL,
    year          INTEGER NOT NULL,   -- mid-year of the estimate (census year for a census)
    sex           VARCHAR NOT NULL,   -- 'persons' unless the file gives sex
    age           INTEGER NOT NULL,   -- 0..90, where 90 means 90 and over
    count         BIGINT NOT NULL,
    file_id       BIGINT NOT NULL
);

-- Population totals per area (the denominator of rates), with households when the file has
-- them. Key: (area_level, area_vintage, year, area_code).
CREATE TABLE population_total (
    area_level                 VARCHAR NOT NULL,
    area_code                  VARCHAR NOT NULL,
    area_vintage               INTEGER NOT NULL,
    year                       INTEGER NOT NULL,
    persons                    BIGINT NOT NULL,
    persons_in_households      BIGINT,
    persons_in_communal        BIGINT,   -- in communal establishments
    households                 BIGINT,
    area_hectares              DOUBLE,
    file_id                    BIGINT NOT NULL
);

-- Indices of deprivation, long form: one row per area, domain and measure, so that files of
-- ranks/deciles, of scores and of local-authority summaries all fit.
-- Key: (index_name, area_level, area_vintage, domain, measure, area_code).
CREATE TABLE deprivation (
    index_name    VARCHAR NOT NULL,   -- e.g. 'IMD2019'
    area_level    VARCHAR NOT NULL,
    area_code     VARCHAR NOT NULL,
    area_vintage  INTEGER NOT NULL,
    domain        VARCHAR NOT NULL,   -- a DeprivationDomain value ('imd' = the overall index)
    measure       VARCHAR NOT NULL,   -- a DeprivationMeasure value (rank, decile, score ...)
    value         DOUBLE NOT NULL,
    file_id       BIGINT NOT NULL
);

-- Area boundaries of any level. Key: (area_level, area_vintage, area_code).
CREATE TABLE boundary (
    area_level          VARCHAR NOT NULL,
    area_code           VARCHAR NOT NULL,
    area_vintage        INTEGER NOT NULL,
    area_name           VARCHAR,
    geometry_wkb        BLOB NOT NULL,     -- (Multi)Polygon, WGS84 longitude/latitude (EPSG:4326)
    centroid_easting    DOUBLE NOT NULL,   -- British National Grid (EPSG:27700), metres
    centroid_northing   DOUBLE NOT NULL,
    area_hectares       DOUBLE NOT NULL,   -- of the polygon in British National Grid
    boundary_set        VARCHAR,           -- the collection's name in the file, if any
    file_id             BIGINT NOT NULL
);

-- Home Office offence classification: offence code -> group, subgroup, police.uk category.
-- Key: (offence_code).
CREATE TABLE offence_classification (
    offence_code         VARCHAR NOT NULL,   -- as published, e.g. '8N', '105A', '37.1'
    offence_description  VARCHAR,
    offence_group        VARCHAR NOT NULL,
    offence_subgroup     VARCHAR,
    policeuk_category    VARCHAR,
    file_id              BIGINT NOT NULL
);

-- Harm weights (e.g. ONS Crime Severity Score, Cambridge Crime Harm Index) by offence code.
-- Key: (index_name, index_version, offence_code).
CREATE TABLE harm_weight (
    index_name           VARCHAR NOT NULL,
    index_version        VARCHAR NOT NULL,
    offence_code         VARCHAR NOT NULL,
    offence_description  VARCHAR,
    weight               DOUBLE NOT NULL,
    file_id              BIGINT NOT NULL
);
