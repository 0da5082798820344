"""rewrite/kinds"""
