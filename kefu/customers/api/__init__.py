"""REST API of the customers app: serializers and views, mounted by kefu.api.urls."""
