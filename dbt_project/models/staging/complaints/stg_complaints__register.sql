-- The complaints and compliments register as loaded: every record, as at the end of the register's month
-- (meta.loads.period_end of its load). A blank record type is a complaint. Codes lower-cased; team and service
-- names tidied (team_key and service_key for matching, as Annex A's teams).
with

source as (

    select * from {{ source('raw', 'complaints_register') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as collection_year,
        trim(cast(reference as varchar)) as reference,
        coalesce(lower(nullif(trim(record_type), '')), 'complaint') as record_type,
        cast(received_date as date) as received_date,
        {{ team_display_name('team_name') }} as team_name,
        {{ team_key('team_name') }} as team_key,
        {{ team_display_name('service_name') }} as service_name,
        {{ team_key('service_name') }} as service_key,
        lower(nullif(trim(complainant), '')) as complainant,
        lower(nullif(trim(nature), '')) as nature,
        cast(stage as integer) as stage,
        cast(stage1_start_date as date) as stage1_start_date,
        cast(stage1_response_date as date) as stage1_response_date,
        cast(stage1_extended as boolean) as stage1_extended,
        lower(nullif(trim(stage1_outcome), '')) as stage1_outcome,
        cast(stage2_start_date as date) as stage2_start_date,
        cast(stage2_response_date as date) as stage2_response_date,
        cast(stage2_extended as boolean) as stage2_extended,
        lower(nullif(trim(stage2_outcome), '')) as stage2_outcome,
        cast(stage3_start_date as date) as stage3_start_date,
        cast(stage3_response_date as date) as stage3_response_date,
        lower(nullif(trim(stage3_outcome), '')) as stage3_outcome,
        cast(ombudsman_referred as boolean) as ombudsman_referred,
        nullif(trim(learning_action), '') as learning_action,
        cast(learning_action_due_date as date) as learning_action_due_date,
        lower(nullif(trim(learning_action_status), '')) as learning_action_status,
        cast(learning_action_completed_date as date) as learning_action_completed_date

    from source

)

select * from renamed
