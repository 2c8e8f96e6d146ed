with

source as (

    select * from {{ source('raw', 'ssda903_oc2') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as collection_year,
        cast(child_id as varchar) as child_id,
        cast(dob as date) as dob,
        cast(sdq_score as integer) as sdq_score,
        upper(trim(sdq_reason)) as sdq_reason,
        trim(convicted) as convicted,
        trim(health_check) as health_check,
        trim(immunisations) as immunisations,
        trim(teeth_check) as teeth_check,
        trim(health_assessment) as health_assessment,
        trim(substance_misuse) as substance_misuse,
        trim(intervention_received) as intervention_received,
        trim(intervention_offered) as intervention_offered

    from source

)

select * from renamed
