#!/bin/bash
# Creates one database per UnionHub service, each owned by the application user.
# Run once by the postgres image's entrypoint (/docker-entrypoint-initdb.d) on an empty data
# volume; it is safe to run again (existing databases are left alone). Adding a service means
# adding its name to the list below and a UNIONHUB_DB_<SERVICE> URL in docker-compose.yml.
#
# No `set -u` here: the entrypoint may source this file rather than execute it.
set -e

owner="${POSTGRES_USER:-unionhub}"
databases="${UNIONHUB_DATABASES:-gateway membership congress welfare events finance}"

for db in $databases; do
    echo "init-databases: database ${db} owned by ${owner}"
    psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" <<EOSQL
SELECT 'CREATE DATABASE "${db}" OWNER "${owner}"'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${db}')\gexec
ALTER DATABASE "${db}" OWNER TO "${owner}";
EOSQL
done
