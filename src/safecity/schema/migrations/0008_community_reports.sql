-- Community reports (issue 13): the de-identified monthly counts the web site exports
-- (`safecity load community-reports FILE`). No report, description, contact detail or point is
-- ever stored here: only counts by month, kind, category, strands, channel, ward and LSOA.
-- Every row names the load that wrote it; rows in = loaded + quarantined (load_file).

-- One row of an export: the reports received in one month with one combination of kind,
-- category, strands, channel, ward and LSOA. Key: (area_code, month, kind, category, strands,
-- channel, ward_code, lsoa_code).
CREATE TABLE community_report_count (
    area_code      VARCHAR NOT NULL,   -- GSS code of the partnership's area (CSP)
    month          DATE NOT NULL,      -- first day of the month the reports were received (Europe/London)
    kind           VARCHAR NOT NULL,   -- a kind id of config/community_reports.yaml: hate | concern | business
    category       VARCHAR NOT NULL,   -- a category id of that kind
    strands        VARCHAR NOT NULL,   -- hate: strand ids sorted and joined with ';' (e.g. 'race;religion'); '' otherwise
    channel        VARCHAR NOT NULL,   -- public_form | reporting_centre | business | open311
    ward_code      VARCHAR,            -- NULL: the reports had no point (online, or none given)
    lsoa_code      VARCHAR,
    reports        BIGINT NOT NULL,    -- >= 1
    losses_pounds  DECIMAL(14, 2),     -- business rows: sum of the losses recorded; NULL: none recorded
    line_number    BIGINT NOT NULL,    -- row in the file (header is line 1), for repair
    file_id        BIGINT NOT NULL
);

-- The months each loaded export covers (from its first to its last month, inclusive), per area:
-- a covered month without rows had no reports; a month no export covers is missing, not zero.
-- A newer export replaces every row of the months it covers for its area. Key: (area_code, month).
CREATE TABLE community_report_month (
    area_code      VARCHAR NOT NULL,
    month          DATE NOT NULL,
    file_id        BIGINT NOT NULL
);
