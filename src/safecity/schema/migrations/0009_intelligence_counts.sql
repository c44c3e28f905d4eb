-- Partner intelligence counts (issue 14): the de-identified monthly counts of Community
-- Partnership Intelligence submissions the web site exports (`safecity load intelligence-counts
-- FILE`). No content of a submission, no subject, no place words and no point is ever stored
-- here: only counts by area, month, topic and ward. Every row names the load that wrote it;
-- rows in = loaded + quarantined (load_file). Read only into the Assessment's PARTNER copy.

-- One row of an export: the submissions received in one month on one topic in one ward.
-- Key: (area_code, month, topic, ward_code).
CREATE TABLE intelligence_count (
    area_code      VARCHAR NOT NULL,   -- GSS code of the partnership's area (CSP)
    month          DATE NOT NULL,      -- first day of the month submitted (Europe/London)
    topic          VARCHAR NOT NULL,   -- a topic id of config/intelligence.yaml
    ward_code      VARCHAR,            -- NULL: placed in no ward of the published boundaries
    submissions    BIGINT NOT NULL,    -- >= 1; deleted submissions count too
    line_number    BIGINT NOT NULL,    -- row in the file (header is line 1), for repair
    file_id        BIGINT NOT NULL
);

-- The months each loaded export covers (from its first to its last month, inclusive), per area:
-- a covered month without rows had no submissions; a month no export covers is missing, not zero.
-- A newer export replaces every row of the months it covers for its area. Key: (area_code, month).
CREATE TABLE intelligence_count_month (
    area_code      VARCHAR NOT NULL,
    month          DATE NOT NULL,
    file_id        BIGINT NOT NULL
);
