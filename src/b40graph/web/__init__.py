"""The Flask web layer: thin views over the library (see app.create_app)."""
