-- One row per record of the complaints and compliments register (int_complaints_timed): team and service, the
-- stages with their working days from start to response (receipt is day 0), timescale and whether the response
-- came within it (null until answered), learning action, and the register's as-at date. Free text was scrubbed at
-- ingest.
with

records as (

    select * from {{ ref('int_complaints_timed') }}

),

final as (

    select
        la_code,
        reference,
        record_type,
        received_date,
        team_id,
        service_id,
        complainant,
        nature,
        stage,
        stage1_start_date,
        stage1_response_date,
        stage1_extended,
        stage1_outcome,
        stage1_working_days,
        stage1_timescale_days,
        stage1_within_timescale,
        stage2_start_date,
        stage2_response_date,
        stage2_extended,
        stage2_outcome,
        stage2_working_days,
        stage2_timescale_days,
        stage2_within_timescale,
        stage3_start_date,
        stage3_response_date,
        stage3_extended,
        stage3_outcome,
        stage3_working_days,
        stage3_timescale_days,
        stage3_within_timescale,
        ombudsman_referred,
        learning_action,
        learning_action_due_date,
        learning_action_status,
        learning_action_completed_date,
        as_at_date

    from records

)

select * from final
