-- Every name a community goes by (full name, short name, aliases, 居委会 forms); one row per community and name
with

communities as (
    select * from stg_reference__communities
),

names as (
    select community_id, community_name as name from communities
    union
    select community_id, short_name from communities where short_name is not null
    union
    select community_id, trim(unnest(string_split(aliases, '|')))
    from communities
    where aliases is not null
    union
    select community_id, community_name || '居委会' from communities
),

unambiguous as (
    select name, any_value(community_id) as community_id
    from names
    where name <> ''
    group by name
    having count(distinct community_id) = 1
)

select * from unambiguous
