from tests.catalog import factories as catalog


def test_smoke(client, org, family, bearer, clock):
    course = catalog.course(org, capacity=2)
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200, r.content[:500]
    for url in [
        "locations",
        "terms",
        "classes",
        f"classes/{course.pk}",
        "camps",
        "parties",
        "news",
    ]:
        r = client.get(f"/api/v1/acme/{url}")
        print(url, r.status_code, r.content[:300])
    for url in ["students", "schedule", "cart", "payments"]:
        r = client.get(f"/api/v1/acme/{url}", **bearer)
        print(url, r.status_code, r.content[:300])
    student = family.students.get()
    r = client.post(
        "/api/v1/acme/cart/classes",
        {"course": course.pk, "students": [student.pk]},
        content_type="application/json",
        **bearer,
    )
    print("add", r.status_code, r.content[:300])
    r = client.post("/api/v1/acme/checkout", **bearer)
    print("checkout", r.status_code, r.content[:300])
    r = client.get("/api/v1/nope/classes")
    print("nope", r.status_code, r.content[:300], r["Content-Type"])
    r = client.post("/api/v1/acme/cart/classes", "{bad", content_type="application/json", **bearer)
    print("bad", r.status_code, r.content[:300])
    assert 0
