from brott import create_app

app = create_app()
