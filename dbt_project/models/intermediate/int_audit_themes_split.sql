-- One row per case-file audit and theme it found: the audit's ';'-separated themes split, each trimmed,
-- lower-cased and with spaces and hyphens read as underscores ('Risk assessment' is risk_assessment), once per
-- audit. is_known_theme: one of the contract's codes (macro audit_themes); an unknown one is kept (and counted in
-- no theme indicator).
with

audits as (

    select * from {{ ref('int_case_file_audits_assessed') }}
    where themes is not null

),

split as (

    select
        la_code,
        audit_reference,
        audit_date,
        team_id,
        service_id,
        regexp_replace(trim(unnest(string_split(themes, ';'))), '[\s-]+', '_', 'g') as theme

    from audits

),

final as (

    select distinct
        la_code,
        audit_reference,
        audit_date,
        team_id,
        service_id,
        theme,
        theme in ({{ sql_list(audit_themes()) }}) as is_known_theme

    from split
    where theme <> ''

)

select * from final
