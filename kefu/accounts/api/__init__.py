"""REST API of the accounts app: serializers and views, mounted by kefu.api.urls."""
