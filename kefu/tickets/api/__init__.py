"""REST API of the tickets app: serializers and views, mounted by kefu.api.urls."""
