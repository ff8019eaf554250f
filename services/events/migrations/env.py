from shared.db.migrate import run_env

run_env()
