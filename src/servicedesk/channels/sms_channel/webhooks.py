from fastapi import APIRouter

router = APIRouter(prefix="/channels/sms", tags=["sms"])
