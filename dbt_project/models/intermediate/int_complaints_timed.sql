-- One row per record of the complaints and compliments register (la_code, reference; should two loaded registers
-- hold it, the one with the later as-at date wins), with:
-- - team_id and service_id: a team name maps through int_team_names_mapped (unknown: 'unmapped:<team name>');
--   a record with a team takes its team's service ('unmapped' for an unmapped team, as in org_units); a record
--   with no team takes the service named in service_name if it matches a configured service (name or id,
--   case- and space-insensitively), else none, and counts for the authority and that service.
-- - per stage N: working days from start to response (dim_date.working_day_index(response) -
--   working_day_index(start): receipt is day 0, weekends and England and Wales bank holidays excluded), the
--   timescale (stage 1: 10 working days, 20 if extended; stage 2: 25, 65 if extended; stage 3: 30, never
--   extended) and whether the response came within it (null until answered). A blank extension flag counts as
--   not extended.
-- - as_at_date: the register's as-at date (meta.loads.period_end).
with

loads as (

    select
        load_id,
        period_end as as_at_date

    from {{ ref('stg_meta__loads') }}

),

register as (

    select
        register.*,
        loads.as_at_date

    from {{ ref('stg_complaints__register') }} as register
    inner join loads
        on register.load_id = loads.load_id
    where register.reference is not null
    qualify row_number() over (
            partition by register.la_code, register.reference
            order by loads.as_at_date desc, register.load_id desc, register.source_row desc
        ) = 1

),

teams as (

    select * from {{ ref('int_team_names_mapped') }}

),

services as (

    -- a configured service, matched on its name or its id
    select distinct
        la_code,
        lower(service_name) as service_key,
        service_id
    from {{ ref('stg_reference__org_units') }}
    where service_name is not null

    union

    select distinct
        la_code,
        lower(service_id) as service_key,
        service_id
    from {{ ref('stg_reference__org_units') }}
    where service_id is not null

),

dates as (

    select
        date_day,
        working_day_index

    from {{ ref('dim_date') }}

),

attributed as (

    select
        register.*,
        teams.team_id,
        -- a named team decides the service (an unmapped team sits under 'unmapped', as in org_units, so teams
        -- still add up to their service); the register's service counts only for a complaint with no team
        case
            when teams.team_id is not null then teams.service_id
            else named_service.service_id
        end as service_id

    from register
    left join teams
        on register.la_code = teams.la_code
            and register.team_key = teams.team_key
    left join services as named_service
        on register.la_code = named_service.la_code
            and register.service_key = named_service.service_key
    qualify row_number() over (
            partition by register.la_code, register.reference
            order by named_service.service_id
        ) = 1

),

timed as (

    select
        attributed.*,
        stage1_response.working_day_index - stage1_start.working_day_index as stage1_working_days,
        case
            when attributed.stage1_start_date is not null
                then case when coalesce(attributed.stage1_extended, false) then 20 else 10 end
        end as stage1_timescale_days,
        stage2_response.working_day_index - stage2_start.working_day_index as stage2_working_days,
        case
            when attributed.stage2_start_date is not null
                then case when coalesce(attributed.stage2_extended, false) then 65 else 25 end
        end as stage2_timescale_days,
        case when attributed.stage3_start_date is not null then false end as stage3_extended,
        stage3_response.working_day_index - stage3_start.working_day_index as stage3_working_days,
        case when attributed.stage3_start_date is not null then 30 end as stage3_timescale_days

    from attributed
    left join dates as stage1_start
        on attributed.stage1_start_date = stage1_start.date_day
    left join dates as stage1_response
        on attributed.stage1_response_date = stage1_response.date_day
    left join dates as stage2_start
        on attributed.stage2_start_date = stage2_start.date_day
    left join dates as stage2_response
        on attributed.stage2_response_date = stage2_response.date_day
    left join dates as stage3_start
        on attributed.stage3_start_date = stage3_start.date_day
    left join dates as stage3_response
        on attributed.stage3_response_date = stage3_response.date_day

),

final as (

    select
        la_code,
        reference,
        record_type,
        received_date,
        team_name,
        team_key,
        team_id,
        service_id,
        complainant,
        nature,
        stage,
        stage1_start_date,
        stage1_response_date,
        stage1_extended,
        stage1_outcome,
        cast(stage1_working_days as integer) as stage1_working_days,
        cast(stage1_timescale_days as integer) as stage1_timescale_days,
        stage1_working_days <= stage1_timescale_days as stage1_within_timescale,
        stage2_start_date,
        stage2_response_date,
        stage2_extended,
        stage2_outcome,
        cast(stage2_working_days as integer) as stage2_working_days,
        cast(stage2_timescale_days as integer) as stage2_timescale_days,
        stage2_working_days <= stage2_timescale_days as stage2_within_timescale,
        stage3_start_date,
        stage3_response_date,
        stage3_extended,
        stage3_outcome,
        cast(stage3_working_days as integer) as stage3_working_days,
        cast(stage3_timescale_days as integer) as stage3_timescale_days,
        stage3_working_days <= stage3_timescale_days as stage3_within_timescale,
        ombudsman_referred,
        learning_action,
        learning_action_due_date,
        learning_action_status,
        learning_action_completed_date,
        as_at_date

    from timed

)

select * from final
