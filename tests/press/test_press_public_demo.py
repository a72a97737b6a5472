"""`jpa demo` signs off every state's figures and publishes the regional release of the 2015
tally in English and Bahasa Indonesia; running it again changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from press.models import Release, ReleaseVersion, SignOff


def test_demo_publishes_english_and_indonesian_releases(app, runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    database = app.extensions["jpa.db"]
    with database.transaction(write=False) as session:
        releases = session.scalars(select(Release).order_by(Release.language)).all()
        signoffs = session.scalar(select(func.count(SignOff.id)))
    assert [(r.language, r.scope, r.status, r.version) for r in releases] == [
        ("en", "regional", "published", 1), ("id", "regional", "published", 1)]
    assert signoffs == 8
    client = app.test_client()
    english = client.get(f"/press/{releases[0].slug}")
    assert english.status_code == 200
    page = english.get_data(as_text=True)
    assert "59" in page and "485" in page  # victims assisted, officers trained: the tally
    indonesian = client.get(f"/press/{releases[1].slug}")
    assert indonesian.status_code == 200 and 'lang="id"' in indonesian.get_data(as_text=True)
    assert releases[0].slug.encode() in client.get("/press").data

    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    with database.transaction(write=False) as session:
        assert session.scalar(select(func.count(Release.id))) == 2
        assert session.scalar(select(func.count(ReleaseVersion.id))) == 2
        assert session.scalar(select(func.count(SignOff.id))) == 8
