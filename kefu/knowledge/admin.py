"""Django admin for the search vocabulary: the jieba user dictionary of product terms and synonym groups.

Both are read by every process from the database (see `search.sync_user_dictionary`); after adding words,
run `kefu kb_reindex` so that already indexed articles are split with them too.
"""

from django.contrib import admin

from kefu.administration.admin_tools import AuditedAdmin

from .models import DictionaryWord, KbCategory, Synonym


@admin.register(DictionaryWord)
class DictionaryWordAdmin(AuditedAdmin):
    list_display = ("word", "frequency", "updated_at")
    search_fields = ("word",)


@admin.register(Synonym)
class SynonymAdmin(AuditedAdmin):
    list_display = ("terms", "updated_at")
    search_fields = ("terms",)


@admin.register(KbCategory)
class KbCategoryAdmin(AuditedAdmin):
    list_display = ("name", "name_en", "slug", "position")
    search_fields = ("name", "name_en", "slug")
