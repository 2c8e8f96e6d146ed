-- One header row per child (la_code, child_id): the one from the latest return.
with

header as (

    select * from {{ ref('stg_ssda903__header') }}

),

latest_return as (

    select
        la_code,
        child_id,
        sex,
        dob,
        ethnic,
        collection_year

    from header
    where child_id is not null
    qualify row_number() over (
            partition by la_code, child_id
            order by collection_year desc, load_id desc, source_row desc
        ) = 1

)

select * from latest_return
