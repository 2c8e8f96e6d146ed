-- Per authority, the stretch covered by its loaded case-file audits file (meta.loads, dataset audits, table
-- case_file_audits, status loaded): from the first day of the month of its first audit (the load's period_start:
-- the earliest audit_date, or the as-at date for a file with no audits) to its as-at date (period_end). The file
-- is the whole record and replaces the previous one (slot register), so there is one per authority; should two
-- be loaded, the stretch runs from the earlier start to the later end.
-- has_actions: an audit actions file is loaded for the authority too (the action stocks need it).
-- Flows need the whole period inside the stretch, the action stocks its last day.
with

loads as (

    select
        la_code,
        table_name,
        period_start,
        period_end

    from {{ ref('stg_meta__loads') }}
    where dataset = 'audits'
        and status = 'loaded'
        and la_code is not null
        and period_end is not null

),

audits as (

    select
        la_code,
        cast(date_trunc('month', min(coalesce(period_start, period_end))) as date) as coverage_start,
        max(period_end) as coverage_end

    from loads
    where table_name = 'case_file_audits'
    group by la_code

),

actions as (

    select distinct la_code
    from loads
    where table_name = 'audit_actions'

),

final as (

    select
        audits.la_code,
        audits.coverage_start,
        audits.coverage_end,
        actions.la_code is not null as has_actions

    from audits
    left join actions
        on audits.la_code = actions.la_code

)

select * from final
