"""The accessibility statement: open to everyone, linked from every page, in both languages."""

from brott import create_app

from .conftest import IsolatedClient, logged_in, test_config


def test_the_statement_is_open_to_anyone_and_linked_from_every_page(client, app, coordinator):
    page = client.get("/tillganglighet")
    assert page.status_code == 200
    for text in (
        "Tillgänglighetsredogörelse",
        "WCAG 2.1",
        "Kartan på rapportsidan",
        "https://www.digg.se/tdosanmalan",
        "Kontakta din kommun",
    ):
        assert text in page.text, text
    assert 'href="/tillganglighet"' in client.get("/logga-in").text
    assert 'href="/tillganglighet"' in logged_in(app, coordinator).get("/r/borlange/").text


def test_the_statement_in_english_and_with_the_configured_contact(app):
    other = create_app(
        test_config(app.config["SQLALCHEMY_DATABASE_URI"], ACCESSIBILITY_CONTACT="a11y@exempel.se")
    )
    other.test_client_class = IsolatedClient
    client = other.test_client()
    assert 'href="mailto:a11y@exempel.se"' in client.get("/tillganglighet").text
    client.post("/sprak", data={"language": "en"})
    english = client.get("/tillganglighet").text
    assert "Accessibility statement" in english and "report it to Digg" in english
    assert "Tillgänglighetsredogörelse" not in english
