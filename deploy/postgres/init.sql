-- Runs once, as the superuser, in database "aptic", when the postgres volume is
-- first initialised (/docker-entrypoint-initdb.d). Services create their own
-- schemas and tables later, through their migrations.

-- Read-only login for Grafana's datasource (deploy/grafana/provisioning).
-- CHANGE THIS PASSWORD outside a local trial, and set the same value in
-- GRAFANA_READER_PASSWORD for the grafana container.
CREATE ROLE grafana_reader LOGIN PASSWORD 'grafana_reader';

GRANT CONNECT ON DATABASE aptic TO grafana_reader;
-- Every transaction of this role is read-only, whatever it is granted.
ALTER ROLE grafana_reader SET default_transaction_read_only = on;
ALTER ROLE grafana_reader SET statement_timeout = '30s';

-- The schemas do not exist yet: grant on what the services (connecting as
-- "postgres") will create. Read-only: USAGE on schemas, SELECT on tables/views.
-- Narrow this to the analytics schema (and per-funder RLS roles) once it exists.
ALTER DEFAULT PRIVILEGES FOR ROLE postgres GRANT USAGE ON SCHEMAS TO grafana_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres GRANT SELECT ON TABLES TO grafana_reader;
