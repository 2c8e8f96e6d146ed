with

source as (

    select * from {{ source('raw', 'ssda903_episodes') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as collection_year,
        cast(child_id as varchar) as child_id,
        cast(decom as date) as decom,
        upper(trim(rne)) as rne,
        upper(trim(ls)) as ls,
        upper(trim(cin)) as cin,
        upper(trim(place)) as place,
        upper(trim(place_provider)) as place_provider,
        cast(dec as date) as dec,
        upper(trim(rec)) as rec,
        upper(trim(reason_place_change)) as reason_place_change,
        upper(trim(home_postcode_district)) as home_postcode_district,
        upper(trim(placement_postcode_district)) as placement_postcode_district,
        cast(placement_distance_miles as double) as placement_distance_miles,
        cast(placed_outside_la as boolean) as placed_outside_la,
        trim(urn) as urn

    from source

)

select * from renamed
