-- Actions set by case-file audits as loaded: one row per audit and action number, the whole record as at a date
-- (meta.loads.period_end of its load). Free text was scrubbed at ingest.
with

source as (

    select * from {{ source('raw', 'audits_audit_actions') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as collection_year,
        nullif(trim(cast(audit_reference as varchar)), '') as audit_reference,
        cast(action_number as integer) as action_number,
        nullif(trim(action), '') as action,
        cast(due_date as date) as due_date,
        cast(completed_date as date) as completed_date

    from source

)

select * from renamed
