-- National context from publishers' own tables (issue 11): published statistics by area,
-- comparator groups of CSPs, and national recorded-crime counts by offence code (the offence
-- mix that weights each police.uk category's harm). Every row names the load that wrote it.

-- A published statistic by area, as the publisher put it out: e.g. the ONS Crime Severity
-- Score by CSP, or Home Office police recorded crime by CSP and offence group.
-- Key: (publisher, title, vintage, indicator, offence_group, period, area_code).
CREATE TABLE published_indicator (
    publisher      VARCHAR NOT NULL,   -- e.g. 'ONS', 'Home Office'
    title          VARCHAR NOT NULL,   -- the table's title as published
    vintage        VARCHAR NOT NULL,   -- the release (e.g. '2023-07-20' or 'year ending March 2023')
    indicator      VARCHAR NOT NULL,   -- a PublishedIndicator value ('crime_severity_score', 'recorded_crime', 'recorded_crime_rate')
    offence_group  VARCHAR NOT NULL,   -- 'Total recorded crime' or the published offence group
    period         VARCHAR NOT NULL,   -- the statistic's period as published, e.g. '2022/23'
    area_level     VARCHAR NOT NULL,   -- an AreaLevel value (from the code's entity): csp, lad, pfa, region, country
    area_code      VARCHAR NOT NULL,   -- GSS code (E22…, E06…, E92000001 England …)
    area_name      VARCHAR,
    area_vintage   INTEGER,            -- year of the area codes, when the table says
    value          DOUBLE,             -- NULL when the publisher suppressed it (':' etc.)
    value_note     VARCHAR,            -- the publisher's marker for a suppressed value (':', '[x]', '..' ...), or 'blank'
    lower_ci       DOUBLE,
    upper_ci       DOUBLE,
    unit           VARCHAR,            -- e.g. 'score (weighted crimes per resident)', 'offences', 'per 1,000 residents'
    file_id        BIGINT NOT NULL
);

-- Named groups of CSPs (e.g. a force's most-similar-group list, or a computed nearest-neighbour
-- group). Each subject area has its own group (groups are not clusters).
-- Key: (group_name, vintage, subject_code, member_code).
CREATE TABLE comparator_group (
    group_name     VARCHAR NOT NULL,   -- e.g. 'Home Office most similar group 2023'
    vintage        VARCHAR NOT NULL,
    subject_code   VARCHAR NOT NULL,   -- the CSP the group is for
    member_code    VARCHAR NOT NULL,   -- a member of its group (the subject itself not listed)
    member_name    VARCHAR,
    method         VARCHAR,            -- 'supplied' or how it was computed
    file_id        BIGINT NOT NULL
);

-- Police recorded crime counts by offence code for a reporting body (a police force area, or
-- the nation) and period: the Home Office police recorded crime open data table.
-- Key: (table_version, area_name, financial_year, offence_code): area_code is NULL for reporting
-- bodies that are not police force areas (Action Fraud, CIFAS, UK Finance) or not in a loaded
-- csp-lookup.
CREATE TABLE offence_count (
    table_version   VARCHAR NOT NULL,  -- e.g. 'prc-pfa-2017-18'
    area_name       VARCHAR NOT NULL,  -- force name as published, e.g. 'Hampshire'
    area_code       VARCHAR,           -- E23…/W15… when a loaded csp-lookup names the force so
    financial_year  VARCHAR NOT NULL,  -- e.g. '2017/18'
    offence_code    VARCHAR NOT NULL,
    offence_description VARCHAR,
    offence_group   VARCHAR,
    offences        BIGINT NOT NULL,
    file_id         BIGINT NOT NULL
);
