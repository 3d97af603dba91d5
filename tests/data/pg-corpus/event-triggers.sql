-- A DDL audit event trigger (in its own schema), as applications and hosted platforms install them.
CREATE SCHEMA audit;
CREATE TABLE audit.ddl_log (tag text, object text);
CREATE FUNCTION audit.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
    INSERT INTO audit.ddl_log VALUES (r.command_tag, r.object_identity);
  END LOOP;
END $$;
CREATE EVENT TRIGGER log_ddl ON ddl_command_end EXECUTE FUNCTION audit.log_ddl();
CREATE TABLE notes (id integer PRIMARY KEY, body text);
CREATE INDEX notes_body ON notes (body);
INSERT INTO notes SELECT i, 'b' || i FROM generate_series(1, 20) i;
